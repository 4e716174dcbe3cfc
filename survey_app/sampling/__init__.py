"""Samples (*chọn mẫu*): sample size and within-stratum draws, pure functions over lists."""
from survey_app.sampling.draw import pps_systematic, simple_random, stratified, systematic
from survey_app.sampling.size import design_adjusted_size, yamane_size

__all__ = ["design_adjusted_size", "pps_systematic", "simple_random", "stratified", "systematic",
           "yamane_size"]
