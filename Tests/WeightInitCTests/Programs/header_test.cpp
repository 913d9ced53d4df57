// weightinit.h compiled as C++17 (-Wall -Wextra -Werror -pedantic), linked
// to the library and run: the header is usable from C++ as it is.
#include "weightinit.h"

#include <cstdio>
#include <cstring>
#include <vector>

static_assert(sizeof(weightinit_scheme) == 256, "the scheme's size is part of the ABI");
static_assert(WEIGHTINIT_ABI_VERSION == 10000 * WEIGHTINIT_ABI_VERSION_MAJOR + WEIGHTINIT_ABI_VERSION_MINOR, "");

int main() {
    weightinit_scheme scheme{};
    if (weightinit_scheme_parse("xavier-uniform --gain 2", &scheme) != WEIGHTINIT_OK) {
        std::fprintf(stderr, "%s\n", weightinit_last_error());
        return 1;
    }
    const int64_t shape[] = {16, 8};
    std::vector<double> w(16 * 8);
    weightinit_status status = weightinit_fill(&scheme, w.data(), w.size() * sizeof(double), WEIGHTINIT_F64, 2, shape,
                                               WEIGHTINIT_LAYOUT_TORCH, 0, 0, 1, 2, 0);
    if (status != WEIGHTINIT_OK) {
        std::fprintf(stderr, "%s: %s\n", weightinit_status_name(status), weightinit_last_error());
        return 1;
    }
    // U(±2·√(6/24)) = U(±1): every value inside, not all equal.
    bool inside = true;
    for (double x : w) inside = inside && x >= -1 && x < 1;
    if (!inside || w[0] == w[1]) return 1;
    if (weightinit_fill(&scheme, w.data(), 3, WEIGHTINIT_F64, 2, shape, WEIGHTINIT_LAYOUT_TORCH, 0, 0, 1, 2, 0)
        != WEIGHTINIT_ERROR_SIZE_MISMATCH)
        return 1;
    std::printf("C++17: %s\n", weightinit_last_error());
    return 0;
}
