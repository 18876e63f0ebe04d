       01 HEADER-REC.
          05 H-TYPE   PIC X.
          05 H-DATE   PIC 9(8).
       01 DETAIL-REC.
          05 D-TYPE   PIC X.
          05 D-AMOUNT PIC S9(7)V99 COMP-3.
          05 FILLER   PIC X(3).
