// weightinit.h compiled as C++17 (-Wall -Wextra -Werror -pedantic), linked
// to the library and run: the header is usable from C++ as it is.
#include "weightinit.h"

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

// A model plan (ABI 1.1) owned the C++ way: freed once, by the unique_ptr.
struct PlanFree {
    void operator()(weightinit_plan *plan) const { weightinit_plan_free(plan); }
};
using Plan = std::unique_ptr<weightinit_plan, PlanFree>;

// Plans a Linear(8, 16) from torch-defaults and fills its bias as the
// checkpoint holds it: U(±1/√8), the weight's fan_in (fan-of).
static bool planFromCxx() {
    const int64_t weight[] = {16, 8}, bias[] = {16};
    const weightinit_plan_tensor tensors[] = {{"fc.weight", 2, weight, WEIGHTINIT_DTYPE_DEFAULT},
                                              {"fc.bias", 1, bias, WEIGHTINIT_DTYPE_DEFAULT}};
    weightinit_plan *made = nullptr;
    if (weightinit_plan_create("torch-defaults", nullptr, tensors, 2, 7, WEIGHTINIT_DTYPE_DEFAULT, 0, &made)
        != WEIGHTINIT_OK)
        return false;
    Plan plan(made);
    size_t index = 0;
    weightinit_tensor_info info{};
    std::vector<float> b(16);
    if (weightinit_plan_find(plan.get(), "fc.bias", &index) != WEIGHTINIT_OK
        || weightinit_plan_tensor_info(plan.get(), index, &info) != WEIGHTINIT_OK
        || std::string(info.scheme) != "uniform-fan-in --fan-in 8 --fan-out 16"
        || weightinit_plan_fill(plan.get(), "fc.bias", b.data(), b.size() * sizeof(float), WEIGHTINIT_F32, 0, nullptr,
                                nullptr, 0) != WEIGHTINIT_OK)
        return false;
    for (float x : b)
        if (!(x >= -0.35356f && x < 0.35356f)) return false;
    std::printf("C++17 plan: %s %s\n", info.name, info.scheme);
    return true;
}

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
    if (!planFromCxx()) {
        std::fprintf(stderr, "plan: %s\n", weightinit_last_error());
        return 1;
    }
    return 0;
}
