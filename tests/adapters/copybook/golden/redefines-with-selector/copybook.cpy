       01 SEGMENT.
          05 SEG-TYPE     PIC X.
          05 SEG-BODY     PIC X(8).
          05 PERSON REDEFINES SEG-BODY.
             10 PERSON-NAME PIC X(6).
             10 PERSON-AGE  PIC 9(2).
          05 ACCOUNT REDEFINES SEG-BODY.
             10 ACCOUNT-NO  PIC 9(3).
             10 BALANCE     PIC S9(7)V99 COMP-3.
