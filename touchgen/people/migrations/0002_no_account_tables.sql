-- Key accounts are plan files under data/accounts/ (the one source of truth), not tables.
-- The tables were never written to; a store of version 1 loses nothing.
DROP TABLE account_people;
DROP TABLE accounts;
