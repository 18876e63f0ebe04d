       01 REC.
          05 P18  PIC S9(18) COMP-3.
          05 P31  PIC S9(29)V99 COMP-3.
          05 PU   PIC 9(5) COMP-3.
