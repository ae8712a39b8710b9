"""Seeded faults: each one breaks one mechanism the suite must guard; the tests named for it must fail.

Run in a scratch clone (it edits the package in place, one fault at a time, and restores it):
    git clone . ../pf-faults && cd ../pf-faults && ln -s ../main/.venv .venv-main  # or any venv with paintflow's deps
    python bench/seeded_faults.py [fault ...]
Prints, for each fault, the tests run and whether they failed (they must). Issue 29 asked for this proof
that the trimmed suite still catches: a resume that restarts each kind of chain wrongly, the frame store not
linking frames back, the temporal loss turned off.
"""

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# name: (file, exact text, replacement, the tests that must fail)
RESUME = ["tests/test_resume.py"]
FAULTS = {
    # a resumed chunk makes its first frame as if it began the chain (no warped previous, no temporal loss)
    "painted chain restarts on resume": (
        "paintflow/looks/paint/stylize.py",
        "        temporal = settings.temporal and prev_of[t] is not None and t in flows\n",
        "        resumed = t - 1 in outputs and not state.get('made')\n"
        "        state['made'] = True\n"
        "        temporal = settings.temporal and prev_of[t] is not None and t in flows and not resumed\n",
        RESUME,
    ),
    "backward pass restarts on resume": (
        "paintflow/looks/paint/stylize.py",
        "        nbr = outputs.get(t + step, neighbour if t + step not in outputs else None)\n",
        "        nbr = outputs.get(t + step, neighbour if t + step not in outputs else None)\n"
        "        if t + step in outputs and not state.get('made'):\n"
        "            nbr = None\n"
        "        state['made'] = True\n",
        RESUME,
    ),
    "smoothing restarts on resume": (
        "paintflow/smooth.py",
        "        prev_path = self.outputs.get(t - 1, self.prev)\n",
        "        prev_path = self.outputs.get(t - 1, self.prev)\n"
        "        if t - 1 in self.outputs and not getattr(self, 'made', False):\n"
        "            prev_path = None\n"
        "        self.made = True\n",
        RESUME,
    ),
    "matte stabilisation restarts on resume": (
        "paintflow/key.py",
        "        prev_path = outputs.get(t - 1, prev)\n        if matte[",
        "        prev_path = outputs.get(t - 1, prev)\n"
        "        if t - 1 in outputs and not getattr(make, 'made', False):\n"
        "            prev_path = None\n"
        "        make.made = True\n"
        "        if matte[",
        ["tests/test_key.py::test_a_stabilised_matte_chunk_killed_mid_chain_resumes_to_the_same_mattes"],
    ),
    # the zoom seeds each frame by how many frames this process made, not by the frame number: right for
    # a chunk run whole, wrong for one resumed after a kill (its first made frame gets the chunk's first seed)
    "zoom reseeds on resume": (
        "paintflow/looks/dream/dreaming.py",
        '        write_rgb(outputs[t], state["dreamer"](start, layers, settings, settings.seed + t))\n',
        '        state["made"] = state.get("made", 0) + 1\n'
        '        write_rgb(outputs[t], state["dreamer"](start, layers, settings, settings.seed + state["made"]))\n',
        RESUME,
    ),
    "temporary files of killed jobs are never removed": (
        "paintflow/store.py",
        '    Files of another host (a cluster node) are left to that host unless older than a day."""\n',
        '    Files of another host (a cluster node) are left to that host unless older than a day."""\n    return []\n',
        RESUME,
    ),
    "the frame store never links a frame back": (
        "paintflow/store.py",
        '        """Put back a finished frame; True if done. A damaged entry is dropped, not restored."""\n',
        '        """Put back a finished frame; True if done. A damaged entry is dropped, not restored."""\n'
        "        return False\n",
        ["tests/test_chunks.py", "tests/test_never_waste.py"],
    ),
    "the temporal loss turned off": (
        "paintflow/looks/paint/stylize.py",
        "            loss = loss + s.temporal_weight * losses.long_term_loss(x, self.warped, self.mask)\n",
        "            loss = loss + 0.0 * losses.long_term_loss(x, self.warped, self.mask)\n",
        ["tests/test_stylize.py", "tests/test_workflow.py"],
    ),
}


def run(name, python):
    path, old, new, tests = FAULTS[name]
    file = ROOT / path
    text = file.read_text()
    assert text.count(old) == 1, f"{name}: the text to break is not in {path} exactly once"
    file.write_text(text.replace(old, new))
    try:
        t0 = time.monotonic()
        proc = subprocess.run(
            [python, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        lines = proc.stdout.splitlines()
        failed = [line.split("::")[-1] for line in lines if line.startswith("FAILED")]
        why = next((line.strip("E ").strip() for line in lines if line.startswith("E ")), "")
        verdict = "caught" if proc.returncode == 1 and failed else f"NOT CAUGHT (pytest exit {proc.returncode})"
        print(f"{name}: {verdict} in {time.monotonic() - t0:.0f} s by {', '.join(failed)}: {why[:200]}", flush=True)
        return proc.returncode == 1 and bool(failed)
    finally:
        file.write_text(text)


if __name__ == "__main__":
    python = sys.executable
    names = sys.argv[1:] or list(FAULTS)
    results = [run(n, python) for n in names]
    print(f"{sum(results)} of {len(results)} seeded faults caught")
    sys.exit(0 if all(results) else 1)
