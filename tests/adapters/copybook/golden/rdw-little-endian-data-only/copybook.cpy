       01 REC.
          05 PERSON-NAME PIC X(5).
          05 N           PIC 9(2).
