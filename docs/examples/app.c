#include <stdio.h>
#include <weightinit.h>

int main(void) {
    static float w[256 * 128];  /* PyTorch layout: out × in */
    int64_t shape[2] = {256, 128};
    weightinit_scheme scheme;
    if (weightinit_scheme_parse("kaiming-normal --nonlinearity relu", &scheme) != WEIGHTINIT_OK
        || weightinit_fill(&scheme, w, sizeof w, WEIGHTINIT_F32, 2, shape, WEIGHTINIT_LAYOUT_TORCH, 0, 0,
                           /* seed */ 42, /* stream */ 0, /* threads: every core */ 0) != WEIGHTINIT_OK) {
        fprintf(stderr, "weightinit: %s\n", weightinit_last_error());
        return 1;
    }
    /* The bytes of `weightinit generate kaiming-normal --nonlinearity relu --shape 256,128 --seed 42`. */
    return fwrite(w, sizeof w, 1, stdout) == 1 ? 0 : 1;
}
