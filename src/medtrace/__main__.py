from medtrace.cli import main

main()
