"""The Lambda side of billfold: the route table, the API Gateway glue and the authorizer.

The domain package `billfold` knows nothing of this one.
"""
