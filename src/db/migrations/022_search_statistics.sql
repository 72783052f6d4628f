-- Multi-column statistics on the search index tables: the planner otherwise multiplies the
-- selectivities of rtype, param, system and code as if independent and, misled by a few %,
-- starts chained queries from the wrong side (measured: 395 ms → 14 ms on 200k offers).
CREATE STATISTICS search_token_stats (mcv) ON rtype, param, system, code FROM search_token;
CREATE STATISTICS search_reference_stats (mcv) ON rtype, param, target_type FROM search_reference;
CREATE STATISTICS search_string_stats (mcv) ON rtype, param FROM search_string;
CREATE STATISTICS search_date_stats (mcv) ON rtype, param FROM search_date;
CREATE STATISTICS search_number_stats (mcv) ON rtype, param FROM search_number;
