       01 REC.
          05 A PIC X(4).
          05 B PIC X(4).
