"""paintflow's terminal for Snakemake (``--logger paintflow``, set in profiles/default).

One line per job (its ``message:``), the jobs-done counter, and on failure the rule's message, its
log file and the log's last lines. The per-rule job table becomes one line per stage, and the
thousands of lines a long render would otherwise print (input/output lists, reasons, "Removing
temporary output …") stay in the run's full log under ``.snakemake/log/``, which this handler does
not replace. Per-frame progress lines come from the jobs themselves.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path

from snakemake_interface_logger_plugins.base import LogHandlerBase
from snakemake_interface_logger_plugins.common import LogEvent

QUIET_PREFIXES = (
    "Removing temporary output",
    "Would remove temporary output",
    "Select jobs to execute",
    "Execute ",
    "Using shell",
    "Provided cores",
    "Rules claiming more threads",
    "Assuming unrestricted shared filesystem",
    "Building DAG of jobs",
    "Conda environments: ignored",
    "Singularity containers: ignored",
    "Using workflow specific profile",
    "Provided resources",
    "Job stats:",
    "Reasons:",
    "Touching output file",
    "host:",
    "SNAKEMAKE",
    "Storing output in",
)
LOG_TAIL = 15


def counted(rule: str) -> bool:
    """Whether a job counts as work on the terminal (not the target rule, not an identity file: a few bytes
    each)."""
    return rule != "all" and not rule.startswith("identity_")


def jobs_per_stage(stats: dict) -> dict[str, int]:
    """{stage label: jobs} from Snakemake's {rule: jobs}, the jobs that count as work (:func:`counted`),
    named as the registry names their stages."""
    from paintflow.registry import STAGES

    names = sorted(STAGES, key=len, reverse=True)
    per_stage: dict[str, int] = {}
    for rule, count in stats.items():
        if rule == "total" or not counted(rule):
            continue
        name = next((n for n in names if rule == n or rule.startswith(n + "_")), rule)
        label = STAGES[name].label if name in STAGES else name
        per_stage[label] = per_stage.get(label, 0) + int(count)
    return per_stage


def stage_summary(per_stage: dict[str, int]) -> str:
    """One line: "12 jobs to run: optical flow 2, stylized 2, …"."""
    total = sum(per_stage.values())
    parts = ", ".join(f"{label} {n}" for label, n in per_stage.items())
    return f"{total} job{'s' if total != 1 else ''} to run: {parts}"


class LogHandler(LogHandlerBase):
    def __post_init__(self) -> None:
        self.stream = sys.stdout if getattr(self.common_settings, "stdout", False) else sys.stderr
        self.dryrun = bool(getattr(self.common_settings, "dryrun", False))
        # `paintflow plan` asks for the jobs as JSON lines (rule, outputs) instead of parsing text
        self.jobs_file = os.environ.get("PAINTFLOW_JOBS_JSON")
        self.rules: dict = {}  # jobid -> rule name
        self.last_finished = ""
        # the jobs counted as the run's first line counts them (identity files and `all` left out)
        self.jobs_total, self.jobs_done = 0, 0

    @property
    def writes_to_stream(self) -> bool:
        return True

    @property
    def writes_to_file(self) -> bool:
        return False

    @property
    def has_filter(self) -> bool:
        return True

    @property
    def has_formatter(self) -> bool:
        return True

    @property
    def needs_rulegraph(self) -> bool:
        return False

    def _say(self, text: str) -> None:
        if text:
            print(text, file=self.stream, flush=True)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._say(self.render(record))
        except Exception:  # a terminal must never break a render
            self.handleError(record)

    def render(self, record: logging.LogRecord) -> str:
        event = getattr(record, "event", None)
        msg = record.getMessage() if record.msg is not None else ""
        stamp = time.strftime("%H:%M:%S")
        if event == LogEvent.RUN_INFO and getattr(record, "stats", None):
            per_stage = jobs_per_stage(record.stats)
            self.jobs_total = sum(per_stage.values())
            return f"{stamp} {stage_summary(per_stage)}"
        if event == LogEvent.JOB_INFO:
            self.rules[getattr(record, "jobid", None)] = getattr(record, "rule_name", "")
            if self.jobs_file:
                with open(self.jobs_file, "a") as fh:
                    fh.write(
                        json.dumps(
                            {
                                "rule": getattr(record, "rule_name", ""),
                                "output": [str(o) for o in getattr(record, "output", None) or []],
                            }
                        )
                        + "\n"
                    )
            if getattr(record, "rule_name", "") == "all" or getattr(record, "rule_name", "").startswith("identity_"):
                return ""
            text = getattr(record, "rule_msg", None) or f"rule {getattr(record, 'rule_name', '?')}"
            return f"{stamp} {'would run' if self.dryrun else 'start'}: {text}"
        if event == LogEvent.JOB_FINISHED:
            self.last_finished = self.rules.get(getattr(record, "job_id", getattr(record, "jobid", None)), "")
            self.jobs_done += counted(self.last_finished)
            return ""
        if event == LogEvent.PROGRESS:
            if not counted(self.last_finished):
                return ""
            done, total = getattr(record, "done", 0), getattr(record, "total", 0)
            if self.jobs_total:  # the same count as the run's first line
                done, total = min(self.jobs_done, self.jobs_total), self.jobs_total
            return f"{stamp} {done} of {total} jobs done ({100 * done // max(total, 1)} %)"
        if event == LogEvent.JOB_ERROR:
            return self.job_error(record)
        if event == LogEvent.GROUP_ERROR:
            return f"{stamp} FAILED: cluster job {getattr(record, 'groupid', '')}: {msg}"
        if event in (
            LogEvent.JOB_FINISHED,
            LogEvent.JOB_STARTED,
            LogEvent.SHELLCMD,
            LogEvent.RESOURCES_INFO,
            LogEvent.DEBUG_DAG,
            LogEvent.RULEGRAPH,
            LogEvent.WORKFLOW_STARTED,
        ):
            return ""
        if event == LogEvent.GROUP_INFO:
            return f"{stamp} {msg.splitlines()[0]}" if msg else ""
        if record.levelno < logging.WARNING and (not msg or msg.lstrip().startswith(QUIET_PREFIXES)):
            return ""
        if record.levelno < logging.WARNING and msg.startswith("[") and msg.endswith("]") and len(msg) < 40:
            return ""  # Snakemake's bare timestamp lines
        return msg

    def job_error(self, record) -> str:
        what = getattr(record, "rule_msg", None) or f"rule {getattr(record, 'rule_name', '?')}"
        logs = list(getattr(record, "log", None) or [])
        lines = [f"{time.strftime('%H:%M:%S')} FAILED: {what}"]
        for path in logs:
            lines.append(f"  log: {path}")
            try:
                tail = Path(path).read_text(errors="replace").splitlines()[-LOG_TAIL:]
            except OSError:
                continue
            reason = next((ln for ln in reversed(tail) if " failed: " in ln), None)
            if reason:
                lines.append("  " + reason.split(": ", 1)[-1] if "ERROR" in reason else "  " + reason)
            lines += ["  | " + ln for ln in tail]
        return "\n".join(lines)
