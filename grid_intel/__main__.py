from grid_intel.cli import main

main()
