       01 ORDER-REC.
          05 ORDER-ID     PIC 9(4).
          05 LINE-COUNT   PIC 9(2).
          05 ORDER-LINES OCCURS 0 TO 3 TIMES
                         DEPENDING ON LINE-COUNT.
             10 SKU        PIC X(3).
             10 QTY        PIC S9(3) COMP-3.
          05 ORDER-NOTE   PIC X(4).
