#ifndef GQ_MPIBRIDGE_H
#define GQ_MPIBRIDGE_H

// The few MPI calls gq makes, as plain C functions: Swift cannot import Open MPI's
// MPI_COMM_WORLD and MPI_DOUBLE, which are macros over internal symbols. Every call
// uses MPI_COMM_WORLD; errors abort the job (MPI's default, MPI_ERRORS_ARE_FATAL), so a
// rank that fails never leaves the others waiting.

/// Starts MPI (threads funneled: only the main thread calls MPI). Returns 0 on success.
int gq_mpi_init(void);
int gq_mpi_rank(void);
int gq_mpi_size(void);
/// Every rank's `count` doubles from `local` into `all`, in rank order; `all` holds
/// the sum of every rank's count (learn them first with gq_mpi_allgather_count).
void gq_mpi_allgather_doubles(const double *local, int count, double *all, const int *counts);
/// Every rank's `count` into `counts` (one per rank).
void gq_mpi_allgather_count(int count, int *counts);
void gq_mpi_barrier(void);
/// Ends every rank of the job with `code`.
void gq_mpi_abort(int code);
void gq_mpi_finalize(void);

#endif
