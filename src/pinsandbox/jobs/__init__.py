"""The durable job runner: jobs are rows in the state database, claimed atomically by workers.

`service.py` is the API other domains use (submit, get, cancel, register, download_url, run_pending);
`runner.py` runs workers in threads (in `pinsandbox serve`, or `pinsandbox worker` processes);
`routes.py` serves `/_sandbox/jobs` and the signed result downloads under `/_sandbox/files/`.
"""
