"""stemclaim's inference library: HTML in, an assessment of how far the page overclaims out."""
