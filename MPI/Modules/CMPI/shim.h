// System-library shim: Open MPI's C interface (Debian libopenmpi-dev, found
// through pkg-config `ompi-c`).
//
// Open MPI defines its predefined handles as macros that take the address of
// a global object and cast it (`#define MPI_COMM_WORLD
// OMPI_PREDEFINED_GLOBAL(MPI_Comm, ompi_mpi_comm_world)`), which Swift's
// importer cannot turn into values; each gets a `static inline` accessor
// here. Plain integer macros (MPI_SUCCESS, MPI_MODE_*, MPI_ORDER_FORTRAN,
// MPI_DISTRIBUTE_*, MPI_MAX_ERROR_STRING) import as constants and need none.
#ifndef CMPI_SHIM_H
#define CMPI_SHIM_H

#include <mpi.h>

// Communicators, info, files, error handlers
static inline MPI_Comm cmpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Info cmpi_info_null(void) { return MPI_INFO_NULL; }
static inline MPI_File cmpi_file_null(void) { return MPI_FILE_NULL; }
static inline MPI_Errhandler cmpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline MPI_Status *cmpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
// The "send buffer is the receive buffer" marker of in-place collectives.
static inline void *cmpi_in_place(void) { return MPI_IN_PLACE; }

// Datatypes
static inline MPI_Datatype cmpi_byte(void) { return MPI_BYTE; }
static inline MPI_Datatype cmpi_int(void) { return MPI_INT; }
static inline MPI_Datatype cmpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Datatype cmpi_uint16(void) { return MPI_UINT16_T; }
static inline MPI_Datatype cmpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype cmpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype cmpi_datatype_null(void) { return MPI_DATATYPE_NULL; }

// Reduction operations
static inline MPI_Op cmpi_sum(void) { return MPI_SUM; }
static inline MPI_Op cmpi_max(void) { return MPI_MAX; }
static inline MPI_Op cmpi_min(void) { return MPI_MIN; }

#endif
