from auditor.engine.cli import run

run()
