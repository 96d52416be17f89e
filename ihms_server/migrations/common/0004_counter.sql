-- The counter's search (issue 12): the words a counter types for an item besides its name
-- (pcm, amoxycillin, ORS, brand words, a Devanagari name), kept by the state with its
-- catalogue and sent to the desks with every change of the item.
ALTER TABLE item ADD COLUMN synonyms text NOT NULL DEFAULT '';
