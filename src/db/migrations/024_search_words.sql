-- Dictionary of the words of the _content texts (names, nomenclature labels), unaccented, for
-- typo tolerance: a query word is expanded to the close dictionary words (trigram distance, GiST
-- KNN) before the full-text match, instead of comparing it with every document.
CREATE TABLE search_word (word text PRIMARY KEY);
CREATE INDEX search_word_trgm_idx ON search_word USING gist (word gist_trgm_ops);
-- The document-level trigram index is no longer used by _content.
DROP INDEX IF EXISTS search_text_trgm_idx;
