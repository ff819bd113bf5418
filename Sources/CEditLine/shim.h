// libedit's readline compatibility layer and its native history/editing API.
#include <stdio.h>
#include <editline/readline.h>
#include <histedit.h>
