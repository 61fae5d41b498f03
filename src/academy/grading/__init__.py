"""The parts of ``academy grade`` (:mod:`academy.grade` puts them together), in the order a hand-in
meets them:

* :mod:`academy.grading.submissions`: finding each trainee's notebooks (folders, zips, nbgrader);
* :mod:`academy.grading.restore`: reading a hand-in and putting the course's own cells back;
* :mod:`academy.grading.kernel` and :mod:`academy.grading.execute`: running it in a kernel of its
  own under limits, and reading the answers out as JSON;
* :mod:`academy.grading.scoring`: points, decided outside the kernel (checks, hidden tests);
* :mod:`academy.grading.records`: one record per hand-in, what makes re-runs skip finished work;
* :mod:`academy.grading.reports`: gradebook, feedback pages, cohort summary.
"""
