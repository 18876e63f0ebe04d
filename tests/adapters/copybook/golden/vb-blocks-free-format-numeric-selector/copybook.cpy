* Payments and refunds, one record type per record (free format: no sequence area).
01 MONEY-REC.
   05 REC-KIND   PIC 9 COMP-3.          *> 1 = payment, 2 = refund
   05 PAYMENT.
      10 PAYER   PIC X(4).
      10 AMOUNT  PIC S9(5)V99 COMP-3.
   05 REFUND REDEFINES PAYMENT.
      10 REASON  PIC X(2).
      10 REFUNDED PIC S9(3)V99 COMP-3.
