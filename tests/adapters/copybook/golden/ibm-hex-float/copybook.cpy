       01 REC.
          05 F1 COMP-1.
          05 F2 COMP-1.
          05 D1 COMP-2.
          05 D2 COMP-2.
