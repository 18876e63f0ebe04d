       01 REC.
          05 LABEL     PIC X(6).
          05 AMOUNT    PIC S9(3)V99 COMP-3.
          05 OLD-LABEL PIC X(2).
