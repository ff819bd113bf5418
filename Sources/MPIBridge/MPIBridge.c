#include "MPIBridge.h"

#if __has_include(<mpi.h>)
#include <mpi.h>
#include <stdlib.h>

int gq_mpi_init(void) {
    int provided = 0;
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) return 1;
    // gq's worker threads never call MPI, but the main thread must be allowed to while they run.
    if (provided < MPI_THREAD_FUNNELED) { MPI_Finalize(); return 1; }
    return 0;
}

int gq_mpi_rank(void) { int r = 0; MPI_Comm_rank(MPI_COMM_WORLD, &r); return r; }
int gq_mpi_size(void) { int s = 1; MPI_Comm_size(MPI_COMM_WORLD, &s); return s; }

void gq_mpi_allgather_count(int count, int *counts) {
    MPI_Allgather(&count, 1, MPI_INT, counts, 1, MPI_INT, MPI_COMM_WORLD);
}

void gq_mpi_allgather_doubles(const double *local, int count, double *all, const int *counts) {
    int size = gq_mpi_size();
    int *displacements = malloc(sizeof(int) * (size_t)size);
    if (!displacements) MPI_Abort(MPI_COMM_WORLD, 1);
    int at = 0;
    for (int r = 0; r < size; r++) { displacements[r] = at; at += counts[r]; }
    MPI_Allgatherv(local, count, MPI_DOUBLE, all, counts, displacements, MPI_DOUBLE, MPI_COMM_WORLD);
    free(displacements);
}

void gq_mpi_barrier(void) { MPI_Barrier(MPI_COMM_WORLD); }
void gq_mpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }
void gq_mpi_finalize(void) { MPI_Finalize(); }

#else
// Built without Open MPI's headers (the default build lists this target but never links
// it): nothing to do.
#endif
