"""stemclaim's inference library: HTML in, an assessment of how far the page overclaims out.

    from model import assess
    assess(html).to_dict()
"""

from model.assessment import Assessment, Assessor, NotTextError, assess

__all__ = ["Assessment", "Assessor", "NotTextError", "assess"]
