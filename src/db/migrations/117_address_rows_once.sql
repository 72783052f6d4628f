-- A whole-address string parameter (`address` of Location, Organization, Practitioner) is answered from its own rows
-- and from those of its parts' parameters (`address-city`, `address-state`, `address-postalcode`, `address-country`:
-- SearchParam.addressParts), so the indexer no longer writes those parts twice. The rows written before are removed:
-- an `address` row with the same value as a part's row of the same resource (the same answers either way).
DELETE FROM search_string a USING search_string b
WHERE a.param = 'address' AND b.rtype = a.rtype AND b.id = a.id AND b.norm = a.norm AND b.raw = a.raw
  AND b.param IN ('address-city', 'address-state', 'address-postalcode', 'address-country');
