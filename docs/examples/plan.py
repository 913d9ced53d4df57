"""One tensor of the README's tiny Llama (tiny-llama/, written by `weightinit
generate --config docs/examples/llama-config.json`), from a model plan of the
same config in Python: rules hf-llama (the config's family), seed 0. Writes the
tensor's bytes to stdout, as docs/examples/plan.c does."""
import sys

from weightinit.models import Plan

name = "model.layers.3.mlp.down_proj.weight"
with Plan.from_config("docs/examples/llama-config.json", seed=0) as plan:
    print(plan[name], file=sys.stderr)               # what applies: its scheme, key, stream and parts
    whole = plan.fill(name)                          # a new numpy array, (256, 688) float32
    rows = plan.fill(name, region=((10, 12), (0, 688)))
assert (rows == whole[10:12]).all()                  # a block is that block of the whole
sys.stdout.buffer.write(whole.tobytes())
