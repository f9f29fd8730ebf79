from peiyu.cli import main

main()
