       01 REC.
          05 B1 PIC S9(4) COMP.
          05 B2 PIC 9(4) COMP.
          05 B3 PIC S9(9) BINARY.
          05 B4 PIC S9(18) COMP-4.
          05 B5 PIC S9(4) COMP-5.
          05 B6 PIC S9(5)V99 COMP.
