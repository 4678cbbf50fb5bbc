from pyovn.cli.main import run

run()
