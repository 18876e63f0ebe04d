       01 REC.
          05 A PIC S9(3).
          05 B PIC S9(3).
          05 C PIC S9(3).
          05 D PIC 9(3).
