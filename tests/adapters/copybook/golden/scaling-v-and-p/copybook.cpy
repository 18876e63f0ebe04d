       01 REC.
          05 V1 PIC 9V99.
          05 P1 PIC PPP999.
          05 P2 PIC 999PPP.
          05 V2 PIC SV9(3).
          05 P3 PIC SVPP9(2) COMP-3.
