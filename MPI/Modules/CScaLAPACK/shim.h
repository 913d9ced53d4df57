// System-library shim: ScaLAPACK 2.2 with its BLACS (Debian
// libscalapack-openmpi-dev, found through pkg-config `scalapack-openmpi`).
//
// Debian installs no C header for ScaLAPACK, so the routines used here are
// declared from their documentation (the argument lists of the reference
// Fortran sources, netlib.org/scalapack). Fortran routines take every
// argument by reference and carry a trailing underscore; none of these takes
// a character argument, so no hidden string lengths follow. Integers are
// Fortran INTEGER, 32-bit in Debian's LP64 build. The BLACS C interface
// (Cblacs_*) passes scalars by value.
#ifndef CSCALAPACK_SHIM_H
#define CSCALAPACK_SHIM_H

// MARK: BLACS (process grids)

/// This process's number and the number of processes.
void Cblacs_pinfo(int *mypnum, int *nprocs);
/// Internal value `what` of context `icontxt`; (−1, 0) gives the system
/// default context (MPI_COMM_WORLD).
void Cblacs_get(int icontxt, int what, int *val);
/// Turns `*icontxt` into an nprow × npcol grid; order "Row" numbers processes
/// row by row (rank = row·npcol + col).
void Cblacs_gridinit(int *icontxt, const char *order, int nprow, int npcol);
/// The grid's shape and this process's coordinates (−1 if not in it).
void Cblacs_gridinfo(int icontxt, int *nprow, int *npcol, int *myrow, int *mycol);
/// Frees a grid.
void Cblacs_gridexit(int icontxt);
/// Frees the BLACS; notDone ≠ 0 leaves MPI running for the caller to finalize.
void Cblacs_exit(int notDone);

// MARK: Tools (block-cyclic distribution)

/// Rows or columns of an n-long dimension, blocked by nb over nprocs
/// processes starting at isrcproc, that process iproc owns.
int numroc_(const int *n, const int *nb, const int *iproc, const int *isrcproc, const int *nprocs);
/// Local index of global index indxglob (1-based) on the process that owns it.
int indxg2l_(const int *indxglob, const int *nb, const int *iproc, const int *isrcproc, const int *nprocs);
/// The process that owns global index indxglob (1-based).
int indxg2p_(const int *indxglob, const int *nb, const int *iproc, const int *isrcproc, const int *nprocs);
/// Fills the 9-integer array descriptor of an m × n matrix in mb × nb
/// blocks, first block on process (irsrc, icsrc), local leading dimension lld.
void descinit_(int *desc, const int *m, const int *n, const int *mb, const int *nb, const int *irsrc,
               const int *icsrc, const int *ictxt, const int *lld, int *info);

// MARK: QR and LQ (single and double precision)

/// sub(A) = A(ia:ia+m−1, ja:ja+n−1) = Q·R; R on and above the diagonal,
/// the reflectors below it, their scalars in tau. lwork = −1: query.
void psgeqrf_(const int *m, const int *n, float *a, const int *ia, const int *ja, const int *desca,
              float *tau, float *work, const int *lwork, int *info);
void pdgeqrf_(const int *m, const int *n, double *a, const int *ia, const int *ja, const int *desca,
              double *tau, double *work, const int *lwork, int *info);
/// Overwrites the output of p?geqrf with the first n columns of Q (k reflectors).
void psorgqr_(const int *m, const int *n, const int *k, float *a, const int *ia, const int *ja, const int *desca,
              const float *tau, float *work, const int *lwork, int *info);
void pdorgqr_(const int *m, const int *n, const int *k, double *a, const int *ia, const int *ja, const int *desca,
              const double *tau, double *work, const int *lwork, int *info);
/// sub(A) = L·Q; L on and below the diagonal, the reflectors right of it.
void psgelqf_(const int *m, const int *n, float *a, const int *ia, const int *ja, const int *desca,
              float *tau, float *work, const int *lwork, int *info);
void pdgelqf_(const int *m, const int *n, double *a, const int *ia, const int *ja, const int *desca,
              double *tau, double *work, const int *lwork, int *info);
/// Overwrites the output of p?gelqf with the first m rows of Q (k reflectors).
void psorglq_(const int *m, const int *n, const int *k, float *a, const int *ia, const int *ja, const int *desca,
              const float *tau, float *work, const int *lwork, int *info);
void pdorglq_(const int *m, const int *n, const int *k, double *a, const int *ia, const int *ja, const int *desca,
              const double *tau, double *work, const int *lwork, int *info);

#endif
