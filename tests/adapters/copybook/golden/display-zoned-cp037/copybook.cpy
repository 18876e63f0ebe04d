       01 CUSTOMER.
          05 CUST-ID       PIC 9(5).
          05 CUST-NAME     PIC X(10).
          05 BALANCE       PIC S9(5)V99.
          05 CREDIT        PIC S9(3).
          05 FILLER        PIC X(2).
