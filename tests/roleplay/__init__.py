"""Role-play suite (issue 13): scripted citizens, held out from nlu_data/, typed the way people type,
talking to the real pipeline in process. `bench/roleplay.py` prints its figures."""
