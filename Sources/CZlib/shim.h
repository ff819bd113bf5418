// The system zlib: gzip and raw-deflate streams for the dataset loaders.
#include <zlib.h>
