"""The layers of VGG-16 and VGG-19 by name, without torch: the config names them (dream layers,
style layers) and is checked before any job, at the workflow's start, which must not import torch."""

BLOCKS = {16: (2, 2, 3, 3, 3), 19: (2, 2, 4, 4, 4)}


def layer_names(depth: int) -> list[str]:
    """conv1_1, relu1_1, conv1_2, relu1_2, pool1, … in network order."""
    names = []
    for b, n in enumerate(BLOCKS[depth], start=1):
        for i in range(1, n + 1):
            names += [f"conv{b}_{i}", f"relu{b}_{i}"]
        names.append(f"pool{b}")
    return names


def smallest_side(layers) -> int:
    """The fewest pixels a picture needs on each side for every layer in ``layers`` to have one: a layer of
    block b comes after b-1 halvings (poolN is the Nth)."""
    halvings = [int(name[4:].split("_")[0]) - (not name.startswith("pool")) for name in layers]
    return 2 ** max(halvings, default=0)
