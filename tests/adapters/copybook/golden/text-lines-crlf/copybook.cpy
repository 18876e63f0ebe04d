       01 LINE-REC.
          05 ITEM-CODE PIC X(3).
          05 QTY       PIC 9(3).
          05 DESCR     PIC X(10).
