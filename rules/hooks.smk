# Before the first job of a real run (never a dry run): refuse when another run is alive in this
# directory, then clean what killed runs left (temporary files, frame-store entries of settings no
# longer used). The run marker is removed when the run ends.


onstart:
    from paintflow.runs import start_run

    start_run(R, PF.current_keys(), PF.current_shot_tags(), PF.current_local_keys())


onsuccess:
    from paintflow.runs import end_run

    end_run(R)


onerror:
    from paintflow.runs import end_run

    end_run(R)
