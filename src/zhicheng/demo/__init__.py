"""The demo's data for `make run`, at the top of the house: organisations and one account per role, the year's
settings, cases at each stage and the evaluation, each made through the services of its stage (``seed.load``)."""
