#include <stdio.h>
#include <string.h>
#include <weightinit.h>

/* One tensor of the README's tiny Llama (tiny-llama/, written by `weightinit generate --config
 * docs/examples/llama-config.json`), from a model plan of the same config: rules hf-llama, seed 0. */
int main(void) {
    static float w[256 * 688], rows[2 * 688];  /* (hidden, intermediate): 256 × 688 */
    const char *name = "model.layers.3.mlp.down_proj.weight";
    const int64_t start[2] = {10, 0}, stop[2] = {12, 688};  /* rows 10 and 11 alone */
    weightinit_plan *plan = NULL;
    weightinit_tensor_info info;
    size_t index;
    int ok = weightinit_plan_create_from_config("docs/examples/llama-config.json", NULL, /* seed */ 0,
                                                WEIGHTINIT_DTYPE_DEFAULT, &plan) == WEIGHTINIT_OK
             && weightinit_plan_find(plan, name, &index) == WEIGHTINIT_OK
             && weightinit_plan_tensor_info(plan, index, &info) == WEIGHTINIT_OK
             && weightinit_plan_fill(plan, name, w, sizeof w, WEIGHTINIT_F32, 0, NULL, NULL, /* threads */ 0)
                    == WEIGHTINIT_OK
             && weightinit_plan_fill(plan, name, rows, sizeof rows, WEIGHTINIT_F32, 2, start, stop, 0) == WEIGHTINIT_OK;
    if (!ok) {
        fprintf(stderr, "weightinit: %s\n", weightinit_last_error());
        weightinit_plan_free(plan);
        return 1;
    }
    /* What applies: "normal --mean 0 --std 0.02", its key and stream, no parts. info points into the plan. */
    fprintf(stderr, "%s: %s (key %llu, stream %lu, %lu parts)\n", info.name, info.scheme,
            (unsigned long long)info.seed, (unsigned long)info.stream, (unsigned long)info.part_count);
    weightinit_plan_free(plan);
    if (memcmp(rows, w + 10 * 688, sizeof rows) != 0) return 1;  /* a block is that block of the whole */
    return fwrite(w, sizeof w, 1, stdout) == 1 ? 0 : 1;
}
