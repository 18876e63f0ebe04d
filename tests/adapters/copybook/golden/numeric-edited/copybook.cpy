       01 REC.
          05 E1 PIC ZZ,ZZ9.99-.
          05 E2 PIC $$$9.99.
          05 E3 PIC 9(3).99CR.
          05 E4 PIC ***9.
          05 E5 PIC +ZZ9.
