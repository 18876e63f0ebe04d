       01 REC.
          05 ID  PIC 9(2).
          05 AMT PIC S9(3) COMP-3.
