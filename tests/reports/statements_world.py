"""The small month of business of tests/books/test_month_of_business.py, for the statement
report tests (API and pages). November 2026, product A at 13% VAT, bank account B01 opened with
50,000.00 on the 1st:
  3rd  receipt 100 A @ 20.00          Dr 1405 2,000.00  Dr 2221.01 260.00  Cr 2202 2,260.00
  5th  delivery 60 A @ 50.00          Dr 1122 3,390.00  Cr 6001 3,000.00  Cr 2221.02 390.00
                                      Dr 6401 1,200.00  Cr 1405 1,200.00
  8th  return 10 A of that delivery   Dr 6001 500.00  Dr 2221.02 65.00  Cr 1122 565.00
                                      Dr 1405 200.00  Cr 6401 200.00
  15th count: 48 found of 50          Dr 6711 40.00  Cr 1405 40.00
  20th payment to the supplier        Dr 2202 2,000.00  Cr 1002 2,000.00
  25th receipt from the customer      Dr 1002 2,825.00  Cr 1122 2,825.00
  30th rent paid (支出单 房租)          Dr 6602 1,500.00  Cr 1002 1,500.00
"""

from tests.books.support import collect, company, count, day, deliver, pay, receive, spend, take_back


def november_of_business(make_user) -> dict:
    world = company(make_user)
    receive(world, "100", "20.00", on=day(3))
    delivery = deliver(world, "60", "50.00", on=day(5))
    take_back(world, delivery, "10", on=day(8))
    count(world, "48", on=day(15))
    pay(world, "2000.00", on=day(20))
    collect(world, "2825.00", on=day(25))
    spend(world, "房租", "1500.00", on=day(30))
    return world
