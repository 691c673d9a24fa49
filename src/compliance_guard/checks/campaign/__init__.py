"""Campaign checks: parameters against the scoring profile's ranges, mechanics against the law
and WeChat's rules (the CMP rules of rules/campaign.yaml)."""
