from ledger.entrypoints.cli.main import main

main()
