       01 REC.
          05 ID   PIC 9(2).
          05 P    PIC S9(3) COMP-3.
          05 U    PIC 9(3) COMP-3.
          05 Z    PIC S9(2).
          05 T    PIC X(2).
