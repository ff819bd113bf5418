// Open MPI's C API, found through pkg-config (ompi-c); only built with the MPI trait.
#include <mpi.h>
