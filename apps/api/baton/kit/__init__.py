"""Small pieces every domain uses: errors, ids, pagination, the unit of work, crypto."""
