/*
 * weightinit.h — the C ABI of swift-weight-init (libweightinit).
 *
 * Reproducible neural-network weight initialisation from C, C++ or any
 * language with a C foreign-function interface: every scheme of
 * torch.nn.init and Keras, for f32, f64, f16 and bf16 tensors of any rank up
 * to WEIGHTINIT_MAX_RANK, whole or one block (shard) of them, filled into
 * memory the caller owns. The values are those of the Swift library and of
 * the `weightinit` tool for the same scheme, shape, layout, seed and stream,
 * byte for byte, for any thread count (orthogonal matrices from 1024 rows
 * and columns up aside: see weightinit_fill).
 *
 *     weightinit_scheme scheme;
 *     int64_t shape[2] = {256, 128};
 *     float w[256 * 128];
 *     if (weightinit_scheme_parse("kaiming-normal --mode fan-out", &scheme) != WEIGHTINIT_OK
 *         || weightinit_fill(&scheme, w, sizeof w, WEIGHTINIT_F32, 2, shape,
 *                            WEIGHTINIT_LAYOUT_TORCH, 0, 0, 42, 0, 0) != WEIGHTINIT_OK)
 *         fprintf(stderr, "%s\n", weightinit_last_error());
 *
 * C99; usable from C++ (extern "C"). No Swift types and no ownership cross
 * this boundary: the library never allocates memory the caller must free and
 * never keeps a pointer it was given after a call returns.
 *
 * Errors: every function returns a weightinit_status; anything but
 * WEIGHTINIT_OK means nothing was written to any output argument — with two
 * exceptions: WEIGHTINIT_ERROR_BUFFER_TOO_SMALL writes the length the text
 * needs (weightinit_scheme_describe's *length) and nothing else, and a fill
 * that fails inside LAPACK (WEIGHTINIT_ERROR_FAILURE; every argument was
 * checked before) may leave `data` partly written — and
 * weightinit_last_error() then holds a one-line message on the calling
 * thread, made safe to print (see there). Every function may be called from
 * several threads at once.
 *
 * Compatibility rule. WEIGHTINIT_ABI_VERSION_MAJOR is part of the shared
 * library's file name (libweightinit.so.1). Within one major version a new
 * minor version may only ADD: functions, status codes, enum values, schemes
 * and scheme parameters (in the text weightinit_scheme_parse accepts). It
 * never removes or changes a declared function, the number of an enum value,
 * the size of weightinit_scheme or of another struct it declares, or the
 * values a call produces — those change only with a new major version
 * (also when the stream format, weightinit_stream_format_version(),
 * changes). ABI 1 is defined as shipping with the stream format of the
 * first release, and ships with stream format 3 (formats 1 and 2 were
 * never released; every 1.0 function gives the same values under 3 as
 * under 2 — format 3 changed only the Philox keys model plans derive from
 * tensor names, see weightinit_name_seed). So a program built against
 * header x.y runs with any library x.z, z >= y; check at start-up with
 * WEIGHTINIT_ABI_COMPATIBLE(weightinit_abi_version()). Treat a status you do
 * not know as an error.
 */
#ifndef WEIGHTINIT_H
#define WEIGHTINIT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Versions ------------------------------------------------------------ */

#define WEIGHTINIT_ABI_VERSION_MAJOR 1
#define WEIGHTINIT_ABI_VERSION_MINOR 1
/** major × 10000 + minor: 10000 is 1.0, 10001 is 1.1. */
#define WEIGHTINIT_ABI_VERSION (WEIGHTINIT_ABI_VERSION_MAJOR * 10000 + WEIGHTINIT_ABI_VERSION_MINOR)
/** Whether a library reporting `version` can run a program built against this
 *  header: the same major version, the same or a later minor one. */
#define WEIGHTINIT_ABI_COMPATIBLE(version) \
    ((version) >= WEIGHTINIT_ABI_VERSION && (version) < (WEIGHTINIT_ABI_VERSION_MAJOR + 1) * 10000)

/** The ABI version of the loaded library (WEIGHTINIT_ABI_VERSION when it was built). */
uint32_t weightinit_abi_version(void);

/** The version of the stream format the library implements
 *  (StreamFormatSpecification.md): the (seed, stream, index) → value
 *  mapping, and the stream and key a model plan derives from a tensor's
 *  name. ABI 1 ships with stream format 3; within major version 1 it stays
 *  3 (see the compatibility rule above). */
uint32_t weightinit_stream_format_version(void);

/* ---- Status codes ---------------------------------------------------------- */

typedef enum weightinit_status {
    WEIGHTINIT_OK = 0,
    /** A pointer argument that must not be NULL is NULL. */
    WEIGHTINIT_ERROR_NULL_POINTER = 1,
    /** An enum argument (dtype, layout) is not one of its values, or not
     *  one the function takes (a scheme's fills take the floating-point
     *  dtypes), or is WEIGHTINIT_F16 where the library has no binary16 (it
     *  has on x86-64 and arm64). */
    WEIGHTINIT_ERROR_INVALID_ENUM = 2,
    /** Another argument is wrong: threads < 0, data not aligned to its
     *  element size, a weightinit_scheme that weightinit_scheme_parse did not
     *  fill in this process, a name that is not valid UTF-8. */
    WEIGHTINIT_ERROR_INVALID_ARGUMENT = 3,
    /** The scheme text: not valid UTF-8, an unknown scheme or option, an
     *  option the scheme does not take, a required option missing, an option
     *  value of the wrong kind. */
    WEIGHTINIT_ERROR_INVALID_SCHEME = 4,
    /** A scheme parameter out of its range (std <= 0, sparsity outside
     *  [0, 1], groups that do not divide the output channels, …). */
    WEIGHTINIT_ERROR_INVALID_PARAMETER = 5,
    /** The shape: rank 0 or above WEIGHTINIT_MAX_RANK, a dimension < 1, a
     *  rank the scheme cannot take, layout axes outside the shape or naming
     *  the same axis twice. */
    WEIGHTINIT_ERROR_INVALID_SHAPE = 6,
    /** The element or byte count overflows, or exceeds physical memory. */
    WEIGHTINIT_ERROR_TOO_LARGE = 7,
    /** size_bytes is not the element count of the shape (or region) times
     *  the element size of the dtype. */
    WEIGHTINIT_ERROR_SIZE_MISMATCH = 8,
    /** The region is not a non-empty block inside the shape, or a shard
     *  index/count is out of range. */
    WEIGHTINIT_ERROR_INVALID_REGION = 9,
    /** An output buffer for text is too small (the length needed is reported). */
    WEIGHTINIT_ERROR_BUFFER_TOO_SMALL = 10,
    /** The computation failed: a LAPACK error, or the kernel path forced by
     *  the WEIGHTINIT_ISA environment variable cannot run on this CPU. */
    WEIGHTINIT_ERROR_FAILURE = 11,
    /** (ABI 1.1) weightinit_fill_region_cancellable was cancelled before it
     *  wrote anything (see "Cancellable fills" below). */
    WEIGHTINIT_ERROR_CANCELLED = 12,
    /** (ABI 1.1) A model plan's inputs (see "Model plans" below): an unknown
     *  rule set, rules, config or variables text that is not valid JSON or
     *  not of their format, a tensor no rule applies to, a scheme a rule
     *  gives that the tensor cannot take, two tensors with one name, or two
     *  tensors or parts that would draw the same values (one key and stream). */
    WEIGHTINIT_ERROR_INVALID_MODEL = 13,
    /** (ABI 1.1) The plan has no tensor of that name. */
    WEIGHTINIT_ERROR_UNKNOWN_TENSOR = 14
} weightinit_status;

/** A static, NUL-terminated name for `status` ("WEIGHTINIT_ERROR_NULL_POINTER");
 *  "WEIGHTINIT_UNKNOWN_STATUS" for a value that is not a status. Never NULL. */
const char *weightinit_status_name(int status);

/** A one-line, NUL-terminated UTF-8 message about the most recent call on
 *  the calling thread that returned a status other than WEIGHTINIT_OK
 *  (e.g. "invalid std -1.0: must be finite and > 0"); "" if there was none.
 *  Calls that succeed leave it unchanged. The pointer is valid on this
 *  thread until its next failing call; copy the text to keep it.
 *
 *  Safe to print on a terminal or in a log, although messages quote the
 *  caller's text (a scheme, a name): every message is stored escaped and
 *  clipped as the `weightinit` tool's `error:` line — each character a
 *  terminal acts on (C0 and C1 controls such as ESC, DEL, line breaks,
 *  bidirectional marks) written as a visible escape (\u{1B}, \n, \t), and
 *  only the first 2000 characters (Unicode scalars) of a longer message
 *  kept, followed by "…(N characters)". Backslashes are kept as they are. */
const char *weightinit_last_error(void);

/* ---- Element types and layouts ---------------------------------------------- */

/** Element types. The fills of a scheme (weightinit_fill and the others of
 *  ABI 1.0) take the floating-point ones, 0…3; a model plan's tensors
 *  (ABI 1.1) may also be integers or booleans, which hold constants only
 *  (BatchNorm's num_batches_tracked is an int64 zero). */
typedef enum weightinit_dtype {
    WEIGHTINIT_F32 = 0,   /**< float (IEEE binary32) */
    WEIGHTINIT_F64 = 1,   /**< double (IEEE binary64) */
    WEIGHTINIT_F16 = 2,   /**< IEEE binary16, as uint16_t bits (or _Float16) */
    WEIGHTINIT_BF16 = 3,  /**< bfloat16, as uint16_t bits (the upper half of a float) */
    WEIGHTINIT_I64 = 4,   /**< (ABI 1.1, plans) int64_t */
    WEIGHTINIT_I32 = 5,   /**< (ABI 1.1, plans) int32_t */
    WEIGHTINIT_U8 = 6,    /**< (ABI 1.1, plans) uint8_t */
    WEIGHTINIT_BOOL = 7,  /**< (ABI 1.1, plans) one byte, 0 or 1 */
    /** (ABI 1.1, plans) No dtype given: for a tensor of
     *  weightinit_plan_create, the dtype its rule gives, else f32; as a
     *  plan's override, none (every tensor keeps its own). Never a tensor's. */
    WEIGHTINIT_DTYPE_DEFAULT = 8
} weightinit_dtype;

/** How the fans (fan_in, fan_out) are read from the shape. */
typedef enum weightinit_layout {
    /** PyTorch: (out, in, kernel…). in_axis and out_axis are ignored. */
    WEIGHTINIT_LAYOUT_TORCH = 0,
    /** Keras / TensorFlow: (kernel…, in, out). in_axis and out_axis are ignored. */
    WEIGHTINIT_LAYOUT_KERAS = 1,
    /** JAX style: in_axis and out_axis name the axes (negative counts from the
     *  end); every other axis is a receptive-field axis. */
    WEIGHTINIT_LAYOUT_AXES = 2
} weightinit_layout;

/** The largest rank a shape may have (numpy's limit). */
#define WEIGHTINIT_MAX_RANK 64

/* ---- Schemes -------------------------------------------------------------- */

/** A scheme with its parameters, parsed once by weightinit_scheme_parse and
 *  then given to any number of fills, from any thread.
 *
 *  The caller owns it (on the stack, in a struct, anywhere; no cleanup) and
 *  may copy it with memcpy or assignment. Its contents are private: valid
 *  only in the process that parsed them (a fill refuses anything else with
 *  WEIGHTINIT_ERROR_INVALID_ARGUMENT) — to keep a scheme, keep its text.
 *  The size is fixed for a major ABI version. */
typedef struct weightinit_scheme {
    uint32_t size;       /**< written by the parse: sizeof(weightinit_scheme) */
    uint32_t version;    /**< written by the parse: the library's WEIGHTINIT_ABI_VERSION */
    uint64_t opaque[31]; /**< private */
} weightinit_scheme;

/** Parses a scheme in the syntax of `weightinit generate`: the scheme name,
 *  then its options, e.g. "normal --std 0.02", "kaiming-uniform --mode
 *  fan-out --nonlinearity leaky-relu --negative-slope 0.2", "orthogonal
 *  --gain 1.4", "sparse --sparsity 0.9". Names are PyTorch's with Keras'
 *  as aliases; `_` may be written for `-` (fan_in, leaky_relu). Defaults
 *  are those of `weightinit generate --help`.
 *
 *  Options are `--name value` or `--name=value` (a value may start with
 *  `-`: "--low -2"); each at most once — a repeated option is
 *  WEIGHTINIT_ERROR_INVALID_SCHEME, never one value silently dropped. The
 *  text is parsed in time linear in its length, by the same parser and
 *  scheme table as `weightinit generate`, which accepts exactly this text.
 *
 *  Returns WEIGHTINIT_ERROR_INVALID_SCHEME for text that names no scheme, an
 *  option the scheme does not take, a missing required option or a value of
 *  the wrong kind, and WEIGHTINIT_ERROR_INVALID_PARAMETER for every
 *  parameter out of its range that does not depend on the shape: values
 *  that are not finite ("constant --value 1e400", "normal --mean inf"), std,
 *  scale and Xavier or Kaiming gains <= 0, bounds not ordered ("uniform
 *  --low 2 --high 1", "truncated-normal --low 3 --high 1", "trunc-normal
 *  --a 1 --b -1"), sparsity outside [0, 1], orthogonal and delta-orthogonal
 *  gains < 0, groups or blocks < 1, --sigmas <= 0, fans < 1. What depends
 *  on the shape (the rank, fans, groups that must divide the output
 *  channels, blocks that must divide the rows) or on the dtype (a constant,
 *  gain or distribution whose values would be infinite in it: "constant
 *  --value 70000" in WEIGHTINIT_F16) is checked by each fill. */
weightinit_status weightinit_scheme_parse(const char *text, weightinit_scheme *scheme);

/** Writes the scheme as `weightinit generate` spells it, every parameter
 *  that has a default written out ("kaiming-normal --mode fan-in
 *  --nonlinearity relu"; optional ones, such as truncated-normal's bounds or
 *  kaiming's --gain, only when set, flags only when on), into buffer,
 *  NUL-terminated, and its length (without the NUL) into *length. `buffer`
 *  may be NULL when `capacity` is 0; if capacity <= the length, returns
 *  WEIGHTINIT_ERROR_BUFFER_TOO_SMALL and writes only *length (the exception
 *  to the rule that a failing call writes nothing). */
weightinit_status weightinit_scheme_describe(const weightinit_scheme *scheme, char *buffer, size_t capacity,
                                             size_t *length);

/* ---- Filling ---------------------------------------------------------------- */

/** Fills `data`, a tensor of `shape` (rank dimensions, C order) of `dtype`
 *  occupying exactly `size_bytes` bytes, with `scheme`, drawn from the random
 *  stream (`seed`, `stream`) — the values of `weightinit generate <scheme>
 *  --shape … --seed … --stream … --dtype …`.
 *
 *  threads: worker threads, >= 1, or 0 for every core. The values never
 *  depend on it, except for orthogonal matrices from 1024 rows and columns
 *  up (LAPACK's rounding follows OpenBLAS's thread count there).
 *  data must be aligned to its element size. */
weightinit_status weightinit_fill(const weightinit_scheme *scheme, void *data, size_t size_bytes,
                                  weightinit_dtype dtype, size_t rank, const int64_t *shape,
                                  weightinit_layout layout, int64_t in_axis, int64_t out_axis,
                                  uint64_t seed, uint32_t stream, int32_t threads);

/** Fills `data` with the block region_start[d] ≤ i_d < region_stop[d] of the
 *  tensor weightinit_fill would produce for the same arguments — byte for
 *  byte, for every scheme and dtype — in C order of the block's own shape
 *  (region_stop[d] - region_start[d] per dimension); size_bytes is the
 *  block's. Fans come from the full `shape`. Only the block is computed,
 *  except for orthogonal, whose whole matrix is built to cut the block out,
 *  delta-orthogonal, which builds its out × in centre matrix, and sparse,
 *  which reads every row of the block's columns to place their zeros.
 *  A shard of tensor parallelism is the region of weightinit_shard_range. */
weightinit_status weightinit_fill_region(const weightinit_scheme *scheme, void *data, size_t size_bytes,
                                         weightinit_dtype dtype, size_t rank, const int64_t *shape,
                                         const int64_t *region_start, const int64_t *region_stop,
                                         weightinit_layout layout, int64_t in_axis, int64_t out_axis,
                                         uint64_t seed, uint32_t stream, int32_t threads);

/** Block `index` of `count` of 0 ..< length, as `weightinit generate --shard
 *  index/count` splits a dimension: length / count (rounded down) each, the
 *  last block also taking the remainder; so [*start, *stop). Requires
 *  0 <= index < count <= length. */
weightinit_status weightinit_shard_range(int64_t index, int64_t count, int64_t length, int64_t *start,
                                         int64_t *stop);

/** The stream a `weightinit generate --spec` file (or a model plan) gives a
 *  tensor that names no "stream": FNV-1a (32-bit) of the name's bytes
 *  (NUL-terminated UTF-8). A fill with it and the key weightinit_name_seed
 *  gives (ABI 1.1) reproduces that tensor of the file. */
weightinit_status weightinit_name_stream(const char *name, uint32_t *stream);

/* ==== ABI 1.1: cancellable fills =========================================== */

/** weightinit_fill_region (the same arguments, the same values), stoppable
 *  through `cancel`, which may be NULL (never cancelled).
 *
 *  Most fills cost in proportion to the block they write, but sparse first
 *  reads the rank key of every row of the block's columns (the stream
 *  format's "Sparse": a column's zeros are its k smallest keys), so its cost
 *  follows the full tensor's rows: a 2 × 1 block of a (2^32, 4) tensor reads
 *  2^32 keys, seconds of work (and sparse takes at most 2^32 rows, refused
 *  with WEIGHTINIT_ERROR_INVALID_SHAPE above that). This call reads *cancel
 *  before it starts, about every 65536 keys of that pass, and once more just
 *  before it writes the first value; if *cancel is then non-zero it returns
 *  WEIGHTINIT_ERROR_CANCELLED, having written nothing. Once values are being
 *  written it completes: that part costs in proportion to the block.
 *
 *  Set *cancel to non-zero from another thread or a signal handler (a plain
 *  store; the library only reads it, with relaxed atomic loads). The whole
 *  tensor is the region 0 <= i_d < shape[d]. Python's fills of large tensors
 *  run this on a worker thread, so that Ctrl-C raises KeyboardInterrupt with
 *  the tensor untouched. */
weightinit_status weightinit_fill_region_cancellable(const weightinit_scheme *scheme, void *data, size_t size_bytes,
                                                     weightinit_dtype dtype, size_t rank, const int64_t *shape,
                                                     const int64_t *region_start, const int64_t *region_stop,
                                                     weightinit_layout layout, int64_t in_axis, int64_t out_axis,
                                                     uint64_t seed, uint32_t stream, int32_t threads,
                                                     const volatile int32_t *cancel);

/* ==== ABI 1.1: keys of named tensors (stream format 3) ===================== */

/** The Philox key of a tensor called `name` in a plan (or `weightinit
 *  generate --spec` file) of `seed`, when its stream comes from its name:
 *  `seed` with its high 32 bits flipped by the high 32 bits of FNV-1a
 *  (64-bit: offset basis 0xcbf29ce484222325, prime 0x100000001b3) of the
 *  name's UTF-8 bytes — *tensor_seed = seed ^ (fnv1a64(name) >> 32 << 32).
 *  A 1.0 fill with this seed and the stream weightinit_name_stream gives
 *  reproduces that tensor (a tensor given an explicit "stream" draws from
 *  the plan's seed itself). WEIGHTINIT_ERROR_INVALID_ARGUMENT for a name
 *  that is not valid UTF-8. */
weightinit_status weightinit_name_seed(uint64_t seed, const char *name, uint64_t *tensor_seed);

/* ==== ABI 1.1: model plans ================================================ */

/* A model plan is a whole model's initialisation, planned once: every tensor
 * of a list the caller gives (names, shapes, dtypes) or of a Hugging Face
 * config, each with the scheme a rule set gives it — its parts (blocks with
 * schemes of their own, such as an LSTM's forget-gate bias) and fans taken
 * from another tensor ("fan-of") applied — and the random stream its name
 * gives. Any tensor, or any block of one, then fills memory the caller owns
 * with the bytes `weightinit generate` writes into its checkpoint for the
 * same inputs:
 *
 *     weightinit_plan *plan = NULL;
 *     if (weightinit_plan_create_from_config(config_json, NULL, 0, WEIGHTINIT_DTYPE_DEFAULT, &plan)
 *             != WEIGHTINIT_OK
 *         || weightinit_plan_fill(plan, "model.layers.3.mlp.down_proj.weight", w, sizeof w,
 *                                 WEIGHTINIT_F32, 0, NULL, NULL, 0) != WEIGHTINIT_OK)
 *         fprintf(stderr, "%s\n", weightinit_last_error());
 *     weightinit_plan_free(plan);
 *
 * Ownership. A weightinit_plan is created by weightinit_plan_create or
 * weightinit_plan_create_from_config, which allocate it, and the caller
 * frees it with weightinit_plan_free exactly once; weightinit_plan_free(NULL)
 * does nothing. Nothing else the caller gets needs freeing: the text and
 * shapes a weightinit_tensor_info or weightinit_part_info points to belong to
 * the plan and stay valid until it is freed. The library copies everything
 * it is given (texts, tensor lists) before the create call returns. Using a
 * plan after weightinit_plan_free, or freeing it twice, is a bug in the
 * caller, not a documented pattern: the library refuses a pointer it did not
 * create, or has freed, with WEIGHTINIT_ERROR_INVALID_ARGUMENT where it can
 * tell (it keeps the live plans' addresses), but an address reused by a
 * later plan is that plan.
 *
 * Threads. A plan never changes after it is created: any number of threads
 * may query and fill from one plan at once. A free while another thread
 * uses the plan is safe for the library (the plan lives until that call
 * returns), but the info pointers of the freed plan dangle.
 *
 * Keys and streams (stream format 3). A tensor draws from the stream
 * weightinit_name_stream gives its name and the Philox key
 * weightinit_name_seed gives its name and the plan's seed; a part from
 * those of the tensor's name followed by the part's slice
 * ("lstm.bias_ih_l0[256:512]"). So two tensors share values only if both a
 * 32-bit and a 64-bit hash of their names collide; a plan in which two
 * tensors or parts would still share a key and stream is refused with
 * WEIGHTINIT_ERROR_INVALID_MODEL naming both. Every plan made through this
 * ABI reads fans in the torch layout (out, in, kernel…).
 *
 * Errors: as everywhere in this header, a status, a message in
 * weightinit_last_error(), and nothing written to any output argument or
 * buffer on failure (*plan stays as it was). Texts are NUL-terminated UTF-8. */

/** An opaque model plan (see above). */
typedef struct weightinit_plan weightinit_plan;

/** One tensor of the list weightinit_plan_create plans. The caller owns it
 *  and everything it points to; the library copies them. Layout fixed for
 *  major version 1. */
typedef struct weightinit_plan_tensor {
    const char *name;      /**< as state_dict() keys it: "model.layers.0.mlp.up_proj.weight" */
    size_t rank;           /**< 0 for a scalar, at most WEIGHTINIT_MAX_RANK */
    const int64_t *shape;  /**< rank dimensions, each >= 1; may be NULL when rank is 0 */
    /** Its dtype, or WEIGHTINIT_DTYPE_DEFAULT: the dtype its rule gives
     *  (num_batches_tracked: WEIGHTINIT_I64), else f32. */
    weightinit_dtype dtype;
} weightinit_plan_tensor;

/** weightinit_plan_create's flags. */
#define WEIGHTINIT_PLAN_SKIP_UNMATCHED 1u /**< leave tensors no rule applies to out of the plan */

/** Plans the `count` tensors of `tensors` (1 … 262144 of them, names
 *  distinct, of at most 1024 bytes) with `rules` — the plan of `weightinit
 *  generate --spec` for a spec listing these tensors with "rules".
 *
 *  rules: a built-in rule set's name ("torch-defaults", "hf-llama",
 *  "hf-gpt2", "hf-bert", "torchvision-resnet"; `weightinit rules` lists
 *  them), the text of a rules file (JSON: text whose first character other
 *  than a space, tab or line break is '{'), or the path of a rules file
 *  (text holding a '/' or ending in ".json"), as `--rules` takes.
 *  variables_json: NULL, or a JSON object's text — typically a Hugging Face
 *  config.json — whose top-level numbers, booleans and nulls rules read
 *  (initializer_range, pad_token_id) over the rule set's defaults; members
 *  of other kinds are ignored.
 *  seed: the plan's seed (`--seed`). dtype: WEIGHTINIT_DTYPE_DEFAULT, or a
 *  floating-point dtype that replaces every floating-point tensor's
 *  (`--dtype`; integer tensors keep theirs). flags: 0, or
 *  WEIGHTINIT_PLAN_SKIP_UNMATCHED (without it, a tensor no rule applies to
 *  is WEIGHTINIT_ERROR_INVALID_MODEL naming it).
 *  On success *plan is a new plan the caller frees with weightinit_plan_free. */
weightinit_status weightinit_plan_create(const char *rules, const char *variables_json,
                                         const weightinit_plan_tensor *tensors, size_t count, uint64_t seed,
                                         weightinit_dtype dtype, uint32_t flags, weightinit_plan **plan);

/** Plans the model a Hugging Face config describes — every tensor its
 *  family's modeling code registers (llama, gpt2, bert), in state_dict()
 *  order, without tied weights, as `weightinit generate --config` writes
 *  them. config: the config's JSON text (first non-space character '{'),
 *  or a config.json's path. rules: NULL for the family's own set (hf-llama,
 *  hf-gpt2, hf-bert), or as weightinit_plan_create takes it; the config's
 *  top-level numbers, booleans and nulls are the variables. seed and
 *  dtype: as weightinit_plan_create's (a tensor's dtype is the config's
 *  "dtype" if it names a float type, else f32). */
weightinit_status weightinit_plan_create_from_config(const char *config, const char *rules, uint64_t seed,
                                                     weightinit_dtype dtype, weightinit_plan **plan);

/** Frees a plan made by weightinit_plan_create*: OK, also for NULL (which
 *  does nothing); WEIGHTINIT_ERROR_INVALID_ARGUMENT for a pointer that is
 *  not a live plan (see "Ownership" above). */
weightinit_status weightinit_plan_free(weightinit_plan *plan);

/** The number of tensors in the plan (tensors skipped by
 *  WEIGHTINIT_PLAN_SKIP_UNMATCHED not counted); their indices are
 *  0 … *count − 1, in the order given (a config's: state_dict() order). */
weightinit_status weightinit_plan_count(const weightinit_plan *plan, size_t *count);

/** The index of the tensor named `name`, or WEIGHTINIT_ERROR_UNKNOWN_TENSOR. */
weightinit_status weightinit_plan_find(const weightinit_plan *plan, const char *name, size_t *index);

/** What applies to one tensor of a plan, as weightinit_plan_tensor_info
 *  writes it. Every pointer belongs to the plan (valid until it is freed).
 *  Layout fixed for major version 1. */
typedef struct weightinit_tensor_info {
    const char *name;
    size_t rank;             /**< 0 for a scalar */
    const int64_t *shape;    /**< rank dimensions (never NULL) */
    weightinit_dtype dtype;  /**< the tensor's: never WEIGHTINIT_DTYPE_DEFAULT */
    /** The scheme as `weightinit generate` takes it, every parameter with a
     *  default written out and fans from "fan-of" as --fan-in/--fan-out:
     *  "normal --mean 0 --std 0.02", "uniform-fan-in --fan-in 256 --fan-out 10".
     *  weightinit_scheme_parse reads it back. */
    const char *scheme;
    /** The Philox key the tensor's values are drawn from
     *  (weightinit_name_seed of the name and the plan's seed). */
    uint64_t seed;
    uint32_t stream;         /**< its stream (weightinit_name_stream of the name) */
    size_t part_count;       /**< blocks with schemes of their own: weightinit_plan_part_info */
} weightinit_tensor_info;

/** Writes what applies to tensor `index` (0 … count − 1) into *info;
 *  WEIGHTINIT_ERROR_INVALID_ARGUMENT for an index past the end.
 *  Reproducing it with ABI 1.0: weightinit_fill(scheme parsed from
 *  info.scheme, …, shape, WEIGHTINIT_LAYOUT_TORCH, 0, 0, info.seed,
 *  info.stream, …) gives the tensor's values (a scalar as shape {1}); then
 *  each part's fill, of the part's own shape, over its block. */
weightinit_status weightinit_plan_tensor_info(const weightinit_plan *plan, size_t index, weightinit_tensor_info *info);

/** One part of a tensor: a block written over the tensor's own values from a
 *  scheme, key and stream of its own, as a tensor of the block's shape (its
 *  fans are the block's unless its scheme gives them). Every pointer belongs
 *  to the plan. Layout fixed for major version 1. */
typedef struct weightinit_part_info {
    size_t rank;                  /**< the tensor's rank */
    const int64_t *region_start;  /**< the block: region_start[d] <= i_d < region_stop[d] */
    const int64_t *region_stop;
    const char *scheme;           /**< as weightinit_tensor_info's */
    uint64_t seed;                /**< its Philox key */
    uint32_t stream;
} weightinit_part_info;

/** Writes part `part` (0 … part_count − 1) of tensor `index` into *info;
 *  WEIGHTINIT_ERROR_INVALID_ARGUMENT for an index past the end. */
weightinit_status weightinit_plan_part_info(const weightinit_plan *plan, size_t index, size_t part,
                                            weightinit_part_info *info);

/** Fills `data` with the tensor named `name`, or with its block
 *  region_start[d] <= i_d < region_stop[d] — the bytes `weightinit
 *  generate` writes into the checkpoint for it (that block of them), parts
 *  and fans applied, in C order of what is filled, little-endian; an
 *  integer or bool tensor's constant in its own type. For the whole tensor
 *  give region_start and region_stop NULL (rank is then not read); for a
 *  block give both, with rank the tensor's rank (a scalar has no block).
 *  size_bytes must be the element count of the tensor (or block) times the
 *  element size of `dtype`, and dtype must be the tensor's (the dtype of
 *  weightinit_tensor_info; WEIGHTINIT_ERROR_INVALID_ARGUMENT otherwise);
 *  data needs no particular alignment.
 *
 *  Fans always come from the whole tensor. A block costs what its values
 *  cost, except for schemes built whole (orthogonal, eye, dirac,
 *  delta-orthogonal), which build the tensor (or part) first, and sparse
 *  (weightinit_fill_region). threads: as weightinit_fill's. Statuses:
 *  UNKNOWN_TENSOR; INVALID_REGION (a block that is empty, outside the
 *  tensor, with a start after its stop, of another rank, or of a scalar);
 *  SIZE_MISMATCH; INVALID_ARGUMENT (dtype not the tensor's, threads < 0);
 *  INVALID_ENUM; NULL_POINTER (name, data, or one of region_start and
 *  region_stop without the other). Every argument is checked, and a
 *  scheme built whole (orthogonal) is built, before the first byte is
 *  written: on failure data is as it was. A plan fill cannot be cancelled
 *  (a block of a sparse tensor costs a pass over the full tensor's rows;
 *  no built-in rule set gives sparse). */
weightinit_status weightinit_plan_fill(const weightinit_plan *plan, const char *name, void *data, size_t size_bytes,
                                       weightinit_dtype dtype, size_t rank, const int64_t *region_start,
                                       const int64_t *region_stop, int32_t threads);

#ifdef __cplusplus
}
#endif

#endif /* WEIGHTINIT_H */
